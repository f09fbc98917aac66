-- 024_user_lang.sql — one language per user: users.lang is the language the
-- user chose with the UI's switch ('en' or 'zh-CN'; NULL until they choose,
-- when a request's Accept-Language, then users.locale, decides), followed by
-- everything the server writes for them. The company's time zone, in which
-- files and mails show dates and times, is the "company" setting.
ALTER TABLE users ADD COLUMN lang TEXT CHECK (lang IN ('en', 'zh-CN'));

INSERT INTO settings(key, value) VALUES ('company', '{"time_zone":"Asia/Shanghai"}')
    ON CONFLICT (key) DO NOTHING;
