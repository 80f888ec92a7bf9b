-- An order that goes to another worker after its kit was issued keeps that kit with the worker who
-- has it and opens a new one for the new worker: an order has at most one OPEN kit (it may also
-- have issued and cancelled ones). Replaces 0012's "at most one kit that is not cancelled".
DROP INDEX supplies_kits_live;
CREATE UNIQUE INDEX supplies_kits_open ON supplies_kits (order_id) WHERE status = 'open';
