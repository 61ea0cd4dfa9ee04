/**
 * Made-up people for the simulated devices: names, birth dates and Californian addresses in the shape of
 * the SBIT user_info payloads. Small fixed lists: realistic enough to read, cheap to draw from.
 */
import type { Prng } from './prng.ts';

/** A postal address as user_info carries it (zip as a number, as the source writes it). */
export interface Address {
  street_address: string;
  city: string;
  state: string;
  zip: number;
}

/** The demographic part of a profile. */
export interface Person {
  first_name: string;
  last_name: string;
  sex: 'M' | 'F';
  gender: string;
  /** `MM/dd/yyyy`, as user_info writes it. */
  dob: string;
  /** Age in whole years on the first simulated day. */
  age: number;
  address: Address;
}

const FIRST_M = ['Matthew', 'Robert', 'James', 'Daniel', 'Michael', 'David', 'Jose', 'Kevin', 'Brian', 'Anthony', 'Eric', 'Justin', 'Ryan', 'Luis', 'Steven', 'Thomas'];
const FIRST_F = ['Hannah', 'Jennifer', 'Maria', 'Sarah', 'Jessica', 'Ashley', 'Emily', 'Laura', 'Michelle', 'Angela', 'Megan', 'Rachel', 'Olivia', 'Sofia', 'Karen', 'Linda'];
const LAST = ['Phillips', 'Clark', 'Castillo', 'Fuller', 'Eaton', 'Johnson', 'Nguyen', 'Garcia', 'Martinez', 'Lee', 'Walker', 'Hernandez', 'Young', 'King', 'Lopez', 'Wright', 'Scott', 'Torres', 'Hill', 'Flores', 'Adams', 'Baker', 'Rivera', 'Campbell'];
const STREETS = ['Wilkins Cliffs', 'Steven Vista', 'Obrien Streets', 'Lori Plain', 'Edward Throughway', 'Maple Avenue', 'Oak Ridge Road', 'Sunset Boulevard', 'Harbor Drive', 'Canyon View', 'Palm Court', 'Mission Street'];
const SUFFIXES = ['', '', '', ' Suite 998', ' Apt. 12', ' Suite 072', ' Apt. 301'];
const CITIES: readonly (readonly [string, number])[] = [
  ['San Fernando', 91340],
  ['Pearblossom', 93553],
  ['Gardena', 90249],
  ['Sierra Madre', 91024],
  ['Toluca Lake', 91610],
  ['Long Beach', 90802],
  ['Los Angeles', 90012],
  ['Santa Monica', 90401],
  ['North Hollywood', 91601],
  ['Pasadena', 91101],
  ['Burbank', 91502],
  ['Glendale', 91203],
];

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A random address; `avoidCity` (a move) picks another city than the current one. */
export function drawAddress(rng: Prng, avoidCity?: string): Address {
  let city = rng.pick(CITIES);
  if (avoidCity !== undefined && city[0] === avoidCity) city = CITIES[(CITIES.indexOf(city) + 1) % CITIES.length]!;
  return { street_address: `${rng.int(100, 99999)} ${rng.pick(STREETS)}${rng.pick(SUFFIXES)}`, city: city[0], state: 'CA', zip: city[1] };
}

/** A new last name other than `current` (a name change). */
export function drawLastName(rng: Prng, current: string): string {
  const name = rng.pick(LAST);
  return name === current ? LAST[(LAST.indexOf(name) + 1) % LAST.length]! : name;
}

/** A random adult of about 18 to 80 in `startYear`, living in California. */
export function drawPerson(rng: Prng, startYear: number): Person {
  const sex = rng.chance(0.5) ? 'M' : 'F';
  const age = rng.int(18, 80);
  // Day 1..28 exists in every month. Born in startYear - age - 1, the person is `age` for most of the
  // start year (age + 1 after the birthday): close enough for the heart-rate targets that use it.
  const month = rng.int(1, 12);
  const day = rng.int(1, 28);
  const year = startYear - age - 1;
  return {
    first_name: rng.pick(sex === 'M' ? FIRST_M : FIRST_F),
    last_name: rng.pick(LAST),
    sex,
    gender: sex,
    dob: `${pad2(month)}/${pad2(day)}/${year}`,
    age,
    address: drawAddress(rng),
  };
}
