// OpenWhisk's alarms package as the platform serves it: the feed actions `/whisk.system/alarms/alarm`, `interval`
// and `once`, each carried out by the controller's alarm service (alarm-service.ts).
import type { FeedProvider } from '../feeds/feed-service.ts';
import type { FeedAction } from '../routes/feeds.ts';
import type { AlarmKind } from './schedule.ts';
import { SYSTEM_NAMESPACE } from '../../shared/entity-names.ts';

export const ALARMS_NAMESPACE = SYSTEM_NAMESPACE;
export const ALARMS_PACKAGE = 'alarms';
export const ALARM_KINDS: readonly AlarmKind[] = ['alarm', 'interval', 'once'];

/** The feed action of each kind of alarm. */
export interface AlarmFeeds {
  provider(kind: AlarmKind): FeedProvider;
}

export function alarmFeedActions(alarms: AlarmFeeds): FeedAction[] {
  return ALARM_KINDS.map((kind) => ({ namespace: ALARMS_NAMESPACE, pkg: ALARMS_PACKAGE, action: kind, provider: alarms.provider(kind), title: 'The alarm' }));
}
