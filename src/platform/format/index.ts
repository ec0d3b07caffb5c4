export { ukDay, ukClock, ukDayTime, ukDayNumber, calendarDay, fileSize } from './format';
