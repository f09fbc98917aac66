-- 027_quotations.sql — quotations, the first document with lines, and the
-- tables any later document with lines (contracts, deliveries, returns)
-- shares: doc_lines holds every version's lines of every document
-- (doc_type, doc_id, revision), doc_revisions a frozen copy of each earlier
-- version's header. currency_rates is the rate table an administrator
-- keeps: yuan per unit of a foreign currency in millionths (7.1234 is
-- 7123400). Money in minor units of the document's currency; a
-- quotation's totals also in yuan at the rate fixed on it.
CREATE TABLE currency_rates (
    currency TEXT PRIMARY KEY CHECK (currency IN ('USD', 'EUR')),
    rate_micro BIGINT NOT NULL CHECK (rate_micro > 0 AND rate_micro <= 1000000000000),
    updated_by BIGINT REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);

CREATE TABLE quotations (
    id {{ID}},
    number TEXT NOT NULL UNIQUE,
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    project_id BIGINT REFERENCES projects(id),
    owner_id BIGINT NOT NULL REFERENCES users(id),
    state TEXT NOT NULL CHECK (state IN ('draft', 'in_approval', 'approved', 'sent', 'accepted',
                                         'rejected', 'expired')),
    revision BIGINT NOT NULL DEFAULT 1,
    currency TEXT NOT NULL DEFAULT 'CNY' CHECK (currency IN ('CNY', 'USD', 'EUR')),
    rate_micro BIGINT NOT NULL DEFAULT 1000000 CHECK (rate_micro > 0),
    quote_date TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    prices_include_tax BOOLEAN NOT NULL DEFAULT TRUE,
    header_discount BIGINT NOT NULL DEFAULT 0 CHECK (header_discount >= 0),
    freight BIGINT NOT NULL DEFAULT 0 CHECK (freight >= 0),
    payment_terms TEXT NOT NULL DEFAULT '',
    delivery_terms TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    amount BIGINT NOT NULL DEFAULT 0,
    discount BIGINT NOT NULL DEFAULT 0,
    net BIGINT NOT NULL DEFAULT 0,
    tax BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    grand_total BIGINT NOT NULL DEFAULT 0,
    grand_total_cny BIGINT NOT NULL DEFAULT 0,
    max_discount_bp BIGINT NOT NULL DEFAULT 0,
    needs_approval BOOLEAN NOT NULL DEFAULT FALSE,
    approval_request_id BIGINT,
    sent_at TEXT,
    answered_at TEXT,
    answer_note TEXT,
    search_text TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX quotations_customer ON quotations(customer_id, id);
CREATE INDEX quotations_owner ON quotations(owner_id, id);
CREATE INDEX quotations_project ON quotations(project_id, id);
CREATE INDEX quotations_expiry ON quotations(state, valid_until);

CREATE TABLE doc_lines (
    id {{ID}},
    doc_type TEXT NOT NULL,
    doc_id BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products(id),
    product_code TEXT NOT NULL,
    product_name TEXT NOT NULL,
    spec TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL,
    qty_milli BIGINT NOT NULL CHECK (qty_milli > 0),
    list_price BIGINT NOT NULL CHECK (list_price >= 0),
    rule_discount_bp BIGINT NOT NULL DEFAULT 0,
    rule_id BIGINT,
    rule_name TEXT,
    unit_price BIGINT NOT NULL CHECK (unit_price >= 0),
    discount_bp BIGINT NOT NULL CHECK (discount_bp BETWEEN 0 AND 10000),
    tax_bp BIGINT NOT NULL CHECK (tax_bp BETWEEN 0 AND 10000),
    amount BIGINT NOT NULL,
    discount BIGINT NOT NULL,
    header_discount BIGINT NOT NULL,
    net BIGINT NOT NULL,
    tax BIGINT NOT NULL,
    total BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (doc_type, doc_id, revision, seq)
);

CREATE TABLE doc_revisions (
    doc_type TEXT NOT NULL,
    doc_id BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    header_json TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (doc_type, doc_id, revision)
);
