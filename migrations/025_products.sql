-- 025_products.sql — the product catalogue (a category tree, products with
-- their wire specification, unit of sale and packaging, list price and
-- standard cost in fen per unit, tax rate in basis points), warehouses and
-- stock movements (stock on hand is the sum of a product's movements in a
-- warehouse; stock_levels keeps that sum in the movement's own transaction
-- so a warehouse that allows no negative stock is checked by one
-- conditional UPDATE on both engines), customer tiers (customers.tier_id),
-- price rules and the largest discount each role may give by hand.
CREATE TABLE product_categories (
    id {{ID}},
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES product_categories(id),
    sort BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX product_categories_parent ON product_categories(parent_id);

CREATE TABLE products (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category_id BIGINT REFERENCES product_categories(id),
    conductor TEXT CHECK (conductor IN ('copper', 'aluminium')),
    insulation TEXT CHECK (insulation IN ('polyimide_film', 'polyester_film', 'glass_fibre', 'enamel')),
    thickness_um BIGINT CHECK (thickness_um > 0),
    width_um BIGINT CHECK (width_um > 0),
    spec TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL CHECK (unit IN ('kg', 'spool', 'm')),
    packages_json TEXT NOT NULL DEFAULT '[]',
    list_price BIGINT NOT NULL CHECK (list_price >= 0),
    standard_cost BIGINT NOT NULL DEFAULT 0 CHECK (standard_cost >= 0),
    tax_bp BIGINT NOT NULL DEFAULT 1300 CHECK (tax_bp BETWEEN 0 AND 10000),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    search_text TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX products_category ON products(category_id, code);

CREATE TABLE warehouses (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    allow_negative BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE stock_movements (
    id {{ID}},
    product_id BIGINT NOT NULL REFERENCES products(id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouses(id),
    qty_milli BIGINT NOT NULL CHECK (qty_milli <> 0),
    unit_cost BIGINT NOT NULL CHECK (unit_cost >= 0),
    cause TEXT NOT NULL CHECK (cause IN ('opening', 'adjustment', 'delivery', 'return')),
    reference TEXT,
    reason TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX stock_movements_product ON stock_movements(product_id, warehouse_id, id);

CREATE TABLE stock_levels (
    product_id BIGINT NOT NULL REFERENCES products(id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouses(id),
    qty_milli BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (product_id, warehouse_id)
);

CREATE TABLE customer_tiers (
    id {{ID}},
    name TEXT NOT NULL,
    name_en TEXT,
    sort BIGINT NOT NULL DEFAULT 0,
    retired BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

ALTER TABLE customers ADD COLUMN tier_id BIGINT REFERENCES customer_tiers(id);

CREATE TABLE price_rules (
    id {{ID}},
    name TEXT NOT NULL,
    tier_id BIGINT REFERENCES customer_tiers(id),
    category_id BIGINT REFERENCES product_categories(id),
    product_id BIGINT REFERENCES products(id),
    min_qty_milli BIGINT NOT NULL DEFAULT 0 CHECK (min_qty_milli >= 0),
    discount_bp BIGINT NOT NULL CHECK (discount_bp BETWEEN 0 AND 10000),
    valid_from TEXT,
    valid_to TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_by BIGINT REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (category_id IS NULL OR product_id IS NULL),
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);
CREATE INDEX price_rules_product ON price_rules(product_id);
CREATE INDEX price_rules_category ON price_rules(category_id);

CREATE TABLE discount_limits (
    role TEXT PRIMARY KEY,
    max_bp BIGINT NOT NULL CHECK (max_bp BETWEEN 0 AND 10000)
);
INSERT INTO discount_limits(role, max_bp) VALUES ('admin', 10000), ('sales_manager', 1500),
    ('salesperson', 500), ('finance', 0), ('warehouse', 0), ('aftersales', 0);
