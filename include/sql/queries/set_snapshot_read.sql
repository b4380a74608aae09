-- The first statement of a transaction that reads a whole corpus: one consistent snapshot.
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY
