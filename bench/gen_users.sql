-- gen_users.sql — {{USERS}} users bench1 .. bench{{USERS}}, for the benchmark,
-- in the SQL that both SQLite and PostgreSQL accept (run.sh fills in the
-- {{...}}). All share the admin's password hash (the demo password), are
-- spread over the demo departments below the company, and are named from
-- 20 surnames x 20 given names ("王伟 Wang Wei"): each full name recurs every
-- 400 users, each surname every 20.
WITH RECURSIVE
  n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {{USERS}}),
  sur(k, zh, py) AS (VALUES
    (0, '王', 'Wang'), (1, '李', 'Li'), (2, '张', 'Zhang'), (3, '刘', 'Liu'), (4, '陈', 'Chen'),
    (5, '杨', 'Yang'), (6, '赵', 'Zhao'), (7, '黄', 'Huang'), (8, '周', 'Zhou'), (9, '吴', 'Wu'),
    (10, '徐', 'Xu'), (11, '孙', 'Sun'), (12, '胡', 'Hu'), (13, '朱', 'Zhu'), (14, '高', 'Gao'),
    (15, '林', 'Lin'), (16, '何', 'He'), (17, '郭', 'Guo'), (18, '马', 'Ma'), (19, '罗', 'Luo')),
  giv(k, zh, py) AS (VALUES
    (0, '伟', 'Wei'), (1, '芳', 'Fang'), (2, '娜', 'Na'), (3, '敏', 'Min'), (4, '静', 'Jing'),
    (5, '丽', 'Li'), (6, '强', 'Qiang'), (7, '磊', 'Lei'), (8, '军', 'Jun'), (9, '洋', 'Yang'),
    (10, '勇', 'Yong'), (11, '艳', 'Yan'), (12, '杰', 'Jie'), (13, '涛', 'Tao'), (14, '明', 'Ming'),
    (15, '超', 'Chao'), (16, '秀英', 'Xiuying'), (17, '华', 'Hua'), (18, '平', 'Ping'), (19, '鹏', 'Peng')),
  dep(k, id) AS (SELECT row_number() OVER (ORDER BY id) - 1, id FROM departments
                 WHERE parent_id IS NOT NULL),
  ndep(c) AS (SELECT COUNT(*) FROM dep),
  pw(h) AS (SELECT password_hash FROM users WHERE login = 'admin')
INSERT INTO users(login, name, password_hash, role, department_id, email, locale,
                  created_at, updated_at)
SELECT 'bench' || n.i,
       sur.zh || giv.zh || ' ' || sur.py || ' ' || giv.py,
       pw.h,
       CASE n.i % 25 WHEN 0 THEN 'sales_manager' WHEN 1 THEN 'finance'
                     WHEN 2 THEN 'warehouse' WHEN 3 THEN 'aftersales' ELSE 'salesperson' END,
       dep.id,
       'bench' || n.i || '@example.com',
       CASE n.i % 3 WHEN 0 THEN 'en' ELSE 'zh-CN' END,
       '{{NOW}}', '{{NOW}}'
FROM n
JOIN sur ON sur.k = n.i % 20
JOIN giv ON giv.k = (n.i / 20) % 20
CROSS JOIN ndep
JOIN dep ON dep.k = n.i % ndep.c
CROSS JOIN pw
ORDER BY n.i;
