-- The platform tools a persona's calls may use (the voice runtime offers them to its language model, acting
-- with the call's own credential): a callback, a receptionist's availability and booking.
ALTER TABLE personas ADD COLUMN tools text[] NOT NULL DEFAULT '{}'
  CHECK (tools <@ ARRAY['schedule_callback', 'check_availability', 'book_appointment']);
