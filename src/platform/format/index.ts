export { ukDay, ukClock, ukDayTime, ukDayNumber, calendarDay, fileSize, ukWallTime, fromUkWallTime } from './format';
