namespace LiveHub.ICalendar;
