-- 0018_retire.sql: what the request pipeline (sql/0012) replaced and no
-- program calls any more: the patient session check of sql/0011, which
-- the worker ran before sql/0012's portal_request_patient().
DROP FUNCTION portal_session_open(text, bytea, integer);
