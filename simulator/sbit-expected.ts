/** The expected gold rows of ../shared/sbit/README.md (exact timestamps), shared by the tests that check them. */

/** gold gym_summary after set 2, one `date gym mac workout session minutes_in_gym minutes_exercising` line per row; the first 8 are the result after set 1. */
export const GYM_SUMMARY_LINES: readonly string[] = `
2023-03-11 1 57:24:ac:8c:75:ea 1 1 75.0 65.0
2023-03-11 1 ae:ec:f6:48:ca:f7 1 1 45.0 35.0
2023-03-11 3 36:1f:d9:d3:e8:0d 1 1 75.0 65.0
2023-03-11 3 36:1f:d9:d3:e8:0d 1 2 60.0 50.0
2023-03-11 5 14:cd:d6:db:70:f6 1 1 70.0 60.0
2023-03-11 5 14:cd:d6:db:70:f6 1 2 55.0 45.0
2023-03-11 5 4c:c5:9f:cb:13:bd 1 1 75.0 65.0
2023-03-11 5 57:24:ac:8c:75:ea 1 2 72.0 63.0
2023-03-12 1 1d:69:69:75:d0:aa 1 1 50.0 40.0
2023-03-12 1 dd:96:be:e9:1e:f4 1 2 71.0 60.0
2023-03-12 1 df:f9:dc:5e:e2:a8 1 1 60.0 50.0
2023-03-12 3 1d:69:69:75:d0:aa 1 2 40.0 30.0
2023-03-12 3 dd:96:be:e9:1e:f4 1 1 48.0 40.0
2023-03-12 3 df:f9:dc:5e:e2:a8 1 2 43.0 35.0
2023-03-12 5 dd:45:d2:37:a8:0e 1 1 55.0 46.0
2023-03-12 5 de:c0:cd:a7:71:f4 1 1 70.0 60.0`
  .trim()
  .split('\n')
  .map((line) => line.trim());

/** gold workout_bpm_summary (both sets): its one row. avg_bpm is compared to 1e-9. */
export const WORKOUT_BPM_SUMMARY = {
  user_id: 12474,
  workout_id: 1,
  session_id: 1,
  age: '75-85',
  gender: 'M',
  city: 'San Fernando',
  state: 'CA',
  min_bpm: 35.003105735835994,
  avg_bpm: 64.64236486026886,
  max_bpm: 94.98191173214704,
  num_recordings: 3900,
} as const;
