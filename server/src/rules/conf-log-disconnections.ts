import { loggingRule } from './conf-log-connections';

export const confLogDisconnections = loggingRule('log_disconnections', 'session ends and durations');
