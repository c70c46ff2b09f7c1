-- Sample data for the example server: a tiny shop. Loaded once, in one transaction, when the
-- database file is created.

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL UNIQUE,
    country    TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    category    TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    stock       INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0)
);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    ordered_at  TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'shipped', 'delivered', 'cancelled'))
);
CREATE INDEX orders_by_customer ON orders(customer_id);

CREATE TABLE order_items (
    order_id         INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    product_id       INTEGER NOT NULL REFERENCES products(id),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL,
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX order_items_by_product ON order_items(product_id);

CREATE VIEW order_totals AS
    SELECT o.id AS order_id, o.customer_id, o.ordered_at, o.status,
           SUM(i.quantity * i.unit_price_cents) AS total_cents
    FROM orders o JOIN order_items i ON i.order_id = o.id
    GROUP BY o.id;

INSERT INTO customers (id, name, email, country, created_at) VALUES
    (1, 'Ada Lovelace', 'ada@example.com', 'GB', '2025-01-14'),
    (2, 'Grace Hopper', 'grace@example.com', 'US', '2025-02-03'),
    (3, 'Alan Turing', 'alan@example.com', 'GB', '2025-02-20'),
    (4, 'Margaret Hamilton', 'margaret@example.com', 'US', '2025-03-08'),
    (5, 'Edsger Dijkstra', 'edsger@example.com', 'NL', '2025-03-30'),
    (6, 'Barbara Liskov', 'barbara@example.com', 'US', '2025-04-11'),
    (7, 'Donald Knuth', 'don@example.com', 'US', '2025-05-02'),
    (8, 'Frances Allen', 'frances@example.com', 'US', '2025-05-19'),
    (9, 'Niklaus Wirth', 'niklaus@example.com', 'CH', '2025-06-07'),
    (10, 'Sophie Wilson', 'sophie@example.com', 'GB', '2025-06-25'),
    (11, 'Bjarne Stroustrup', 'bjarne@example.com', 'DK', '2025-07-13'),
    (12, 'Radia Perlman', 'radia@example.com', 'US', '2025-08-01');

INSERT INTO products (id, name, category, price_cents, stock) VALUES
    (1, 'Mechanical keyboard', 'peripherals', 8900, 40),
    (2, 'Wireless mouse', 'peripherals', 2900, 120),
    (3, '27-inch monitor', 'displays', 27900, 15),
    (4, 'USB-C hub', 'accessories', 4500, 80),
    (5, 'Laptop stand', 'accessories', 3900, 55),
    (6, 'Noise-cancelling headphones', 'audio', 19900, 25),
    (7, 'Webcam', 'peripherals', 6900, 30),
    (8, 'Desk lamp', 'furniture', 3400, 60),
    (9, 'Ergonomic chair', 'furniture', 34900, 8),
    (10, 'External SSD 1TB', 'storage', 10900, 45),
    (11, 'Microphone', 'audio', 12900, 0),
    (12, 'Cable organiser', 'accessories', 900, 200);

INSERT INTO orders (id, customer_id, ordered_at, status) VALUES
    (1, 4, '2025-08-08', 'delivered'),
    (2, 2, '2025-08-15', 'delivered'),
    (3, 1, '2025-08-22', 'delivered'),
    (4, 1, '2025-08-01', 'cancelled'),
    (5, 1, '2025-08-08', 'cancelled'),
    (6, 1, '2025-08-15', 'cancelled'),
    (7, 4, '2025-08-22', 'delivered'),
    (8, 7, '2025-09-01', 'delivered'),
    (9, 3, '2025-09-08', 'delivered'),
    (10, 7, '2025-09-15', 'shipped'),
    (11, 2, '2025-09-22', 'delivered'),
    (12, 9, '2025-09-01', 'pending'),
    (13, 10, '2025-09-08', 'delivered'),
    (14, 3, '2025-09-15', 'shipped'),
    (15, 6, '2025-09-22', 'delivered'),
    (16, 5, '2025-10-01', 'shipped'),
    (17, 5, '2025-10-08', 'pending'),
    (18, 7, '2025-10-15', 'shipped'),
    (19, 2, '2025-10-22', 'delivered'),
    (20, 2, '2025-10-01', 'delivered'),
    (21, 7, '2025-10-08', 'delivered'),
    (22, 11, '2025-10-15', 'pending'),
    (23, 1, '2025-10-22', 'delivered'),
    (24, 7, '2025-11-01', 'delivered'),
    (25, 2, '2025-11-08', 'delivered'),
    (26, 6, '2025-11-15', 'shipped'),
    (27, 7, '2025-11-22', 'pending'),
    (28, 11, '2025-11-01', 'pending'),
    (29, 4, '2025-11-08', 'pending'),
    (30, 2, '2025-11-15', 'shipped');

INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES
    (1, 1, 1, 8900),
    (1, 2, 3, 2900),
    (1, 9, 1, 34900),
    (1, 11, 3, 12900),
    (2, 7, 2, 6900),
    (3, 9, 2, 34900),
    (4, 4, 3, 4500),
    (5, 1, 1, 8900),
    (5, 3, 2, 27900),
    (5, 4, 1, 4500),
    (5, 11, 3, 12900),
    (6, 2, 3, 2900),
    (6, 3, 3, 27900),
    (6, 9, 1, 34900),
    (7, 10, 1, 10900),
    (8, 6, 2, 19900),
    (8, 7, 3, 6900),
    (8, 9, 2, 34900),
    (8, 11, 1, 12900),
    (9, 2, 3, 2900),
    (9, 4, 1, 4500),
    (10, 2, 1, 2900),
    (10, 5, 3, 3900),
    (10, 8, 2, 3400),
    (11, 7, 1, 6900),
    (11, 8, 1, 3400),
    (12, 6, 3, 19900),
    (12, 8, 2, 3400),
    (12, 11, 1, 12900),
    (13, 1, 1, 8900),
    (13, 2, 3, 2900),
    (13, 8, 2, 3400),
    (14, 1, 1, 8900),
    (14, 6, 3, 19900),
    (14, 8, 1, 3400),
    (15, 3, 1, 27900),
    (15, 5, 2, 3900),
    (16, 3, 2, 27900),
    (17, 3, 1, 27900),
    (17, 7, 2, 6900),
    (17, 9, 1, 34900),
    (18, 2, 1, 2900),
    (18, 3, 1, 27900),
    (19, 8, 3, 3400),
    (20, 1, 3, 8900),
    (20, 3, 1, 27900),
    (20, 7, 3, 6900),
    (21, 9, 1, 34900),
    (21, 10, 2, 10900),
    (22, 2, 2, 2900),
    (22, 7, 2, 6900),
    (22, 10, 1, 10900),
    (22, 11, 1, 12900),
    (23, 1, 1, 8900),
    (23, 2, 1, 2900),
    (23, 3, 3, 27900),
    (23, 6, 1, 19900),
    (24, 1, 1, 8900),
    (24, 2, 3, 2900),
    (24, 10, 2, 10900),
    (25, 6, 1, 19900),
    (25, 8, 1, 3400),
    (25, 10, 2, 10900),
    (26, 2, 1, 2900),
    (26, 3, 1, 27900),
    (26, 5, 2, 3900),
    (26, 10, 1, 10900),
    (27, 6, 1, 19900),
    (27, 9, 3, 34900),
    (28, 2, 3, 2900),
    (28, 5, 1, 3900),
    (28, 11, 1, 12900),
    (29, 4, 1, 4500),
    (29, 10, 2, 10900),
    (29, 11, 1, 12900),
    (30, 1, 2, 8900),
    (30, 5, 1, 3900),
    (30, 11, 1, 12900);
