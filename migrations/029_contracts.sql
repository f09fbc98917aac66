-- 029_contracts.sql — contracts and the money and goods that follow them.
--
-- A contract is the second document with lines: its lines live in doc_lines
-- (doc_type 'contract') at the revision in force (contracts.revision); an
-- amendment of an effective contract is drafted as revision + 1 (its lines
-- under that revision, its proposed header in amendment_json) and replaces
-- the one in force only when approved. Earlier revisions' headers are frozen
-- in doc_revisions.
--
-- Money is in minor units of the contract's currency. The running figures on
-- the contract row (invoiced, received, refunded, returned_value) are kept
-- by the one transaction that writes the invoice, receipt or return, with a
-- conditional UPDATE, so two finance users at the same instant cannot both
-- pass a check: a receipt above what is due is refused unless it is an
-- advance, a refund never exceeds what was received.
--
-- Goods: contract_goods keeps, per contract and product, what was delivered
-- and returned (quantities in thousandths) and their cost (fen), again by a
-- conditional UPDATE; every stock change is a stock_movements row (cause
-- 'delivery' or 'return', reference 'delivery:<id>' / 'return:<id>').
CREATE TABLE contracts (
    id {{ID}},
    number TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    project_id BIGINT REFERENCES projects(id),
    quotation_id BIGINT REFERENCES quotations(id),
    owner_id BIGINT NOT NULL REFERENCES users(id),
    state TEXT NOT NULL CHECK (state IN ('draft', 'in_approval', 'effective', 'fulfilling',
                                         'completed', 'cancelled', 'terminated')),
    revision BIGINT NOT NULL DEFAULT 1,
    amendment_state TEXT CHECK (amendment_state IN ('draft', 'in_approval')),
    amendment_json TEXT,
    amendment_reason TEXT,
    currency TEXT NOT NULL DEFAULT 'CNY' CHECK (currency IN ('CNY', 'USD', 'EUR')),
    rate_micro BIGINT NOT NULL DEFAULT 1000000 CHECK (rate_micro > 0),
    sign_date TEXT NOT NULL,
    start_date TEXT,
    end_date TEXT,
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
    approval_request_id BIGINT,
    effective_at TEXT,
    closed_at TEXT,
    close_reason TEXT,
    invoiced BIGINT NOT NULL DEFAULT 0 CHECK (invoiced >= 0),
    received BIGINT NOT NULL DEFAULT 0,
    refunded BIGINT NOT NULL DEFAULT 0 CHECK (refunded >= 0),
    returned_value BIGINT NOT NULL DEFAULT 0 CHECK (returned_value >= 0),
    search_text TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX contracts_customer ON contracts(customer_id, id);
CREATE INDEX contracts_owner ON contracts(owner_id, id);
CREATE INDEX contracts_project ON contracts(project_id, id);
CREATE INDEX contracts_quotation ON contracts(quotation_id);
CREATE INDEX contracts_state ON contracts(state, id);
CREATE INDEX contracts_sign ON contracts(sign_date, owner_id);

-- The payment plan: instalments with due dates (each may carry a reminder
-- for the owner). Their sum never exceeds the contract's grand total.
CREATE TABLE contract_instalments (
    id {{ID}},
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    seq BIGINT NOT NULL,
    due_date TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    note TEXT NOT NULL DEFAULT '',
    reminder_id BIGINT REFERENCES reminders(id),
    UNIQUE (contract_id, seq)
);
CREATE INDEX contract_instalments_due ON contract_instalments(due_date, contract_id);

CREATE TABLE invoices (
    id {{ID}},
    number TEXT NOT NULL UNIQUE,
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    kind TEXT NOT NULL CHECK (kind IN ('vat_general', 'vat_special')),
    invoice_date TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    tax BIGINT NOT NULL CHECK (tax >= 0),
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX invoices_contract ON invoices(contract_id, id);
CREATE INDEX invoices_customer ON invoices(customer_id, id);

-- Receipts (amount > 0; kind 'advance' when above what was due) and refunds
-- (kind 'refund', amount < 0, tied to a return when it came from one).
CREATE TABLE receipts (
    id {{ID}},
    number TEXT NOT NULL UNIQUE,
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'advance', 'refund')),
    amount BIGINT NOT NULL CHECK (amount <> 0),
    receipt_date TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('bank_transfer', 'cash', 'cheque', 'acceptance_bill',
                                           'wechat_pay', 'alipay', 'other')),
    bank_ref TEXT NOT NULL DEFAULT '',
    invoice_id BIGINT REFERENCES invoices(id),
    return_id BIGINT,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    CHECK ((kind = 'refund') = (amount < 0))
);
CREATE INDEX receipts_contract ON receipts(contract_id, id);
CREATE INDEX receipts_customer ON receipts(customer_id, id);
CREATE INDEX receipts_date ON receipts(receipt_date);

CREATE TABLE deliveries (
    id {{ID}},
    number TEXT NOT NULL UNIQUE,
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouses(id),
    delivery_date TEXT NOT NULL,
    carrier TEXT NOT NULL DEFAULT '',
    tracking_no TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    cost BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX deliveries_contract ON deliveries(contract_id, id);

CREATE TABLE delivery_lines (
    id {{ID}},
    delivery_id BIGINT NOT NULL REFERENCES deliveries(id),
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    product_id BIGINT NOT NULL REFERENCES products(id),
    qty_milli BIGINT NOT NULL CHECK (qty_milli > 0),
    unit_cost BIGINT NOT NULL CHECK (unit_cost >= 0),
    cost BIGINT NOT NULL CHECK (cost >= 0),
    movement_id BIGINT NOT NULL REFERENCES stock_movements(id)
);
CREATE INDEX delivery_lines_delivery ON delivery_lines(delivery_id, id);
CREATE INDEX delivery_lines_contract ON delivery_lines(contract_id, product_id);

CREATE TABLE sales_returns (
    id {{ID}},
    number TEXT NOT NULL UNIQUE,
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    owner_id BIGINT NOT NULL REFERENCES users(id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouses(id),
    state TEXT NOT NULL CHECK (state IN ('draft', 'in_approval', 'approved', 'rejected',
                                         'cancelled')),
    reason TEXT NOT NULL,
    value BIGINT NOT NULL DEFAULT 0 CHECK (value >= 0),
    refund BIGINT NOT NULL DEFAULT 0 CHECK (refund >= 0),
    refund_method TEXT,
    approval_request_id BIGINT,
    decided_at TEXT,
    created_by BIGINT REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX sales_returns_contract ON sales_returns(contract_id, id);
CREATE INDEX sales_returns_state ON sales_returns(state, id);

CREATE TABLE return_lines (
    id {{ID}},
    return_id BIGINT NOT NULL REFERENCES sales_returns(id),
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    product_id BIGINT NOT NULL REFERENCES products(id),
    qty_milli BIGINT NOT NULL CHECK (qty_milli > 0),
    value BIGINT NOT NULL CHECK (value >= 0),
    net BIGINT NOT NULL CHECK (net >= 0),
    unit_cost BIGINT,
    cost BIGINT,
    movement_id BIGINT REFERENCES stock_movements(id)
);
CREATE INDEX return_lines_return ON return_lines(return_id, id);

-- Per contract and product: delivered and returned quantities and their
-- cost, so "never more than contracted" and "never more than delivered
-- less returned" are one conditional UPDATE each.
CREATE TABLE contract_goods (
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    product_id BIGINT NOT NULL REFERENCES products(id),
    delivered_milli BIGINT NOT NULL DEFAULT 0 CHECK (delivered_milli >= 0),
    returned_milli BIGINT NOT NULL DEFAULT 0 CHECK (returned_milli >= 0),
    delivered_cost BIGINT NOT NULL DEFAULT 0 CHECK (delivered_cost >= 0),
    returned_cost BIGINT NOT NULL DEFAULT 0 CHECK (returned_cost >= 0),
    CHECK (returned_milli <= delivered_milli),
    PRIMARY KEY (contract_id, product_id)
);

-- The approver roles of the demo's contract and return flows are set by the
-- demo; numbering patterns for the new documents (settings key numbering.*)
-- are read with their defaults when unset.
