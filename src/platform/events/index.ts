export { emitEvent, EVENT_TYPES, type EventType, type EmitEventInput } from './events';
export { events } from './events.table';
