-- The endpoint the remembered Subscription delivers to: a copy that starts at another address
-- (a new BASE_URL) moves its Subscription there instead of waiting for its periodic catch-up.
ALTER TABLE local_block_cursor ADD COLUMN IF NOT EXISTS endpoint text;
