-- The aging of a cartera native ledger in DuckDB, for bench/run.sh. Placeholders, filled
-- in by the runner: {ledger} (the CSV path) and {as_of} (YYYY-MM-DD).
-- One row per customer and currency: the six default buckets of days past due, the
-- unapplied credit and the balance, as `cartera aging --format csv` writes them, with the
-- default policy: order ["reference", "oldest_first"], terms 30 days, basis due_date.
WITH ledger AS (
    SELECT * FROM read_csv('{ledger}', header = true, auto_detect = false, quote = '"',
        escape = '"', columns = {
            'type': 'VARCHAR', 'id': 'VARCHAR', 'customer_id': 'VARCHAR',
            'customer_name': 'VARCHAR', 'date': 'DATE', 'due_date': 'DATE',
            'amount': 'DECIMAL(18,2)', 'currency': 'VARCHAR', 'ref': 'VARCHAR',
            'withholding': 'DECIMAL(18,2)', 'discount': 'DECIMAL(18,2)'})
    WHERE date <= DATE '{as_of}'
),
invoices AS (
    SELECT id, customer_id, currency, date, coalesce(due_date, date + 30) AS due, amount
    FROM ledger WHERE type = 'invoice'
),
-- A credit settles amount + withholding + discount; it follows its ref only to an invoice
-- of the same customer and currency (else it goes to its own customer's pool).
credits AS (
    SELECT c.customer_id, c.currency,
           c.amount + coalesce(c.withholding, 0) + coalesce(c.discount, 0) AS value,
           i.id AS invoice_id
    FROM ledger c
    LEFT JOIN invoices i
        ON c.ref = i.id AND c.customer_id = i.customer_id AND c.currency = i.currency
    WHERE c.type <> 'invoice'
),
paid AS (
    SELECT invoice_id AS id, sum(value) AS paid FROM credits
    WHERE invoice_id IS NOT NULL GROUP BY ALL
),
after_refs AS (
    SELECT i.*, greatest(i.amount - coalesce(p.paid, 0), 0) AS open,
           greatest(coalesce(p.paid, 0) - i.amount, 0) AS excess
    FROM invoices i LEFT JOIN paid p USING (id)
),
-- The pool: unreferenced and unfollowed credits, and what referenced ones paid in excess.
pool AS (
    SELECT customer_id, currency, sum(value) AS pool FROM (
        SELECT customer_id, currency, value FROM credits WHERE invoice_id IS NULL
        UNION ALL
        SELECT customer_id, currency, excess FROM after_refs WHERE excess > 0
    ) GROUP BY ALL
),
-- The pool pays the open invoices oldest first, by (due date, issue date, id).
open_items AS (
    SELECT customer_id, currency, due, open AS owed,
           least(open, greatest(sum(open) OVER (PARTITION BY customer_id, currency
               ORDER BY due, date, id ROWS UNBOUNDED PRECEDING) - coalesce(pool, 0), 0)) AS open
    FROM after_refs LEFT JOIN pool USING (customer_id, currency)
    WHERE open > 0
),
buckets AS (
    SELECT customer_id, currency,
        sum(open) FILTER (WHERE DATE '{as_of}' - due <= 0) AS "current",
        sum(open) FILTER (WHERE DATE '{as_of}' - due BETWEEN 1 AND 30) AS "1-30",
        sum(open) FILTER (WHERE DATE '{as_of}' - due BETWEEN 31 AND 60) AS "31-60",
        sum(open) FILTER (WHERE DATE '{as_of}' - due BETWEEN 61 AND 90) AS "61-90",
        sum(open) FILTER (WHERE DATE '{as_of}' - due BETWEEN 91 AND 120) AS "91-120",
        sum(open) FILTER (WHERE DATE '{as_of}' - due > 120) AS "120+",
        sum(open) AS total, sum(owed) AS owed
    FROM open_items GROUP BY ALL
),
names AS (
    SELECT customer_id, arg_max(customer_name, date) AS customer_name
    FROM ledger GROUP BY ALL
)
SELECT customer_id, n.customer_name, currency,
       coalesce(b."current", 0) AS "current", coalesce(b."1-30", 0) AS "1-30",
       coalesce(b."31-60", 0) AS "31-60", coalesce(b."61-90", 0) AS "61-90",
       coalesce(b."91-120", 0) AS "91-120", coalesce(b."120+", 0) AS "120+",
       greatest(coalesce(p.pool, 0) - coalesce(b.owed, 0), 0) AS unapplied,
       coalesce(b.total, 0) - greatest(coalesce(p.pool, 0) - coalesce(b.owed, 0), 0) AS balance
FROM buckets b
FULL JOIN pool p USING (customer_id, currency)
JOIN names n USING (customer_id)
WHERE coalesce(b.total, 0) > 0 OR coalesce(p.pool, 0) > coalesce(b.owed, 0)
ORDER BY currency, customer_id
