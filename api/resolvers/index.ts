/** The resolver map: one resolver per file under Query/, UserView/ and WorkoutBpmSummary/, and the scalars. */
import { DateScalar } from '../scalars/date.ts';
import { DateTimeScalar } from '../scalars/date-time.ts';
import { LongScalar } from '../scalars/long.ts';
import { edgeCursor, totalCount } from './connection-fields.ts';
import { gymSummaries } from './Query/gym-summaries.ts';
import { gymUtilisation } from './Query/gym-utilisation.ts';
import { me } from './Query/me.ts';
import { pipelineStatus } from './Query/pipeline-status.ts';
import { quarantine } from './Query/quarantine.ts';
import { user } from './Query/user.ts';
import { workoutBpmSummaries } from './Query/workout-bpm-summaries.ts';
import { workoutStats } from './Query/workout-stats.ts';
import { gymVisits } from './UserView/gym-visits.ts';
import { workouts } from './UserView/workouts.ts';
import { heartRate } from './WorkoutBpmSummary/heart-rate.ts';
import { endTime, startTime } from './WorkoutBpmSummary/start-time.ts';
import { user as workoutUser } from './WorkoutBpmSummary/user.ts';

export const resolvers = {
  Long: LongScalar,
  Date: DateScalar,
  DateTime: DateTimeScalar,
  Query: { workoutBpmSummaries, gymSummaries, workoutStats, gymUtilisation, me, user, pipelineStatus, quarantine },
  UserView: { workouts, gymVisits },
  WorkoutBpmSummary: { startTime, endTime, user: workoutUser, heartRate },
  WorkoutBpmSummaryEdge: { cursor: edgeCursor },
  GymSummaryEdge: { cursor: edgeCursor },
  WorkoutBpmSummaryConnection: { totalCount },
  GymSummaryConnection: { totalCount },
};
