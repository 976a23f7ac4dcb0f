-- Who is reminded by email before a call (the person who booked it, e.g. a parent), when SMTP is configured.
ALTER TABLE calls ADD COLUMN reminder_email text CHECK (char_length(reminder_email) BETWEEN 3 AND 254);
