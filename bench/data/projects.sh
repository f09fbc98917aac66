# bench/data/projects.sh — the projects data set of `make bench` (sourced by
# bench/run.sh after the users are generated, before the server starts; uses
# its sqlrun, sqlval, step, done_step, die, $tmp, $BENCH_DB): BENCH_PROJECTS
# projects (default 200,000) owned by BENCH_SALES salespeople (default 500)
# in ten sales teams with a generated sales manager each, on the demo
# process templates, in one bulk SQL statement over a recursive CTE that
# both engines accept. The pipeline totals are kept by the triggers of
# migrations/005_projects.* and 008_project_speed.*, so the bulk insert
# fills them; they are checked against a recount. Then API tokens for one
# salesperson, one team manager and the head of sales (BENCH_PROJ_*_TOKEN,
# read by bench/projects_*.lua) and the values the endpoints of
# bench/data/projects.conf use (template, a cursor, the largest id).
#
# Without the customers data set (BENCH_DATA=projects) it generates its own
# 5,000 customers, each owned by one of the salespeople; otherwise projects
# point at the first 20,000 customers there are.

BENCH_PROJECTS=${BENCH_PROJECTS:-200000}
BENCH_SALES=${BENCH_SALES:-500}
is_count "$BENCH_PROJECTS" || die "BENCH_PROJECTS must be a positive number"
is_count "$BENCH_SALES" || die "BENCH_SALES must be a positive number"
[ "$BENCH_SALES" -ge 10 ] || die "BENCH_SALES must be at least 10 (ten teams)"

pb_now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# the salespeople who own projects, numbered from 0 (a temporary table of
# each SQL session below)
PB_SALES_SQL="CREATE TEMP TABLE pb_sales (k BIGINT PRIMARY KEY, id BIGINT NOT NULL UNIQUE);
INSERT INTO pb_sales(k, id)
  SELECT row_number() OVER (ORDER BY id) - 1, id FROM users
  WHERE login LIKE 'bench%' AND role = 'salesperson' ORDER BY id LIMIT $BENCH_SALES;"
# a day number (0 .. 1343) as YYYY-MM-DD in SQL both engines accept: 12
# months of 28 days a year from 2024, which is all a benchmark needs
pb_day() {
  local d="($1)"
  printf "%s" "(CAST(2024 + $d / 336 AS TEXT) || '-' || CASE WHEN ($d / 28) % 12 < 9 THEN '0' ELSE '' END"
  printf "%s" " || CAST(($d / 28) % 12 + 1 AS TEXT) || '-' || CASE WHEN $d % 28 < 9 THEN '0' ELSE '' END"
  printf "%s" " || CAST($d % 28 + 1 AS TEXT))"
}

# --- salespeople in ten teams, and their managers ------------------------------
step "projects: $BENCH_SALES salespeople in 10 teams"
have=$(sqlval "SELECT COUNT(*) FROM users WHERE login LIKE 'bench%' AND role = 'salesperson'")
[ "$have" -ge "$BENCH_SALES" ] ||
  die "BENCH_SALES=$BENCH_SALES salespeople wanted, the $BENCH_USERS users have $have: raise BENCH_USERS"
have=$(sqlval "SELECT COUNT(*) FROM users WHERE login LIKE 'bench%' AND role = 'sales_manager'")
[ "$have" -ge 10 ] || die "10 generated sales managers wanted, there are $have: raise BENCH_USERS"
cat >"$tmp/projects-team.sql" <<SQL
BEGIN;
-- ten teams below the demo's East and North China groups, each led by a
-- generated sales manager
CREATE TEMP TABLE pb_mgr AS
  SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM users
  WHERE login LIKE 'bench%' AND role = 'sales_manager' ORDER BY id LIMIT 10;
INSERT INTO departments(name, parent_id, manager_id, created_at)
SELECT '销售' || CAST(m.k + 1 AS TEXT) || '组 Bench team ' || CAST(m.k + 1 AS TEXT),
       (SELECT d.id FROM departments d WHERE d.name = CASE m.k % 2 WHEN 0
          THEN '华东销售组 East China Sales' ELSE '华北销售组 North China Sales' END),
       m.id, '$pb_now'
FROM pb_mgr m ORDER BY m.k;
CREATE TEMP TABLE pb_team AS
  SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM departments
  WHERE name LIKE '%Bench team %' ORDER BY id;
$PB_SALES_SQL
UPDATE users SET department_id = (SELECT t.id FROM pb_sales s JOIN pb_team t ON t.k = s.k % 10
                                  WHERE s.id = users.id), updated_at = '$pb_now'
WHERE id IN (SELECT id FROM pb_sales);
UPDATE users SET department_id = (SELECT t.id FROM pb_mgr m JOIN pb_team t ON t.k = m.k
                                  WHERE m.id = users.id), updated_at = '$pb_now'
WHERE id IN (SELECT id FROM pb_mgr);
COMMIT;
SQL
sqlrun <"$tmp/projects-team.sql" >"$tmp/projects-team.log" 2>&1 ||
  { echo; cat "$tmp/projects-team.log"; die "creating the sales teams failed"; }
done_step

# --- customers for the projects (unless the customers data set made them) ----
ncust=$(sqlval "SELECT COUNT(*) FROM customers")
if [ "$ncust" -lt 1000 ]; then
  step "projects: 5000 customers of their own"
  cat >"$tmp/projects-cust.sql" <<SQL
BEGIN;
$PB_SALES_SQL
WITH RECURSIVE n(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < 4999)
INSERT INTO customers(number, name, phone, address, owner_id, name_norm, phone_norm, search_text,
                      owned_since, created_by, created_at, updated_at)
SELECT 'PB' || CAST(100000 + n.i AS TEXT),
       '项目客户' || CAST(n.i AS TEXT) || ' Project customer ' || CAST(n.i AS TEXT),
       '139' || CAST(10000000 + n.i AS TEXT),
       '江苏省常州市 Changzhou, Jiangsu',
       s.id,
       '项目客户' || CAST(n.i AS TEXT) || 'projectcustomer' || CAST(n.i AS TEXT),
       '139' || CAST(10000000 + n.i AS TEXT),
       '项目客户' || CAST(n.i AS TEXT) || 'projectcustomer' || CAST(n.i AS TEXT),
       '$pb_now', s.id, '$pb_now', '$pb_now'
FROM n JOIN pb_sales s ON s.k = n.i % $BENCH_SALES
ORDER BY n.i;
COMMIT;
SQL
  sqlrun <"$tmp/projects-cust.sql" >"$tmp/projects-cust.log" 2>&1 ||
    { echo; cat "$tmp/projects-cust.log"; die "generating the projects' customers failed"; }
  done_step
fi

# --- the projects ------------------------------------------------------------------
step "projects: $BENCH_PROJECTS projects"
pb_first=$(sqlval "SELECT COALESCE(MAX(id), 0) FROM projects")
# the customers the projects point at (a constant: PostgreSQL would count a
# CTE's rows again for every project)
pb_ncust=$(sqlval "SELECT COUNT(*) FROM customers")
[ "$pb_ncust" -gt 20000 ] && pb_ncust=20000
# per project i: template (7 in 10 standard order, a third of those still on
# version 1), an outcome (12% won, 12% lost, the rest open), a stage drawn
# like a funnel (more early than late), the owner (salesperson i mod N; one
# in 50 unassigned), the customer, an amount of 1,000 .. 8,000,000 yuan in
# fen, and dates over two years. h is a second, independent draw.
cat >"$tmp/projects-gen.sql" <<SQL
BEGIN;
$PB_SALES_SQL
CREATE TEMP TABLE pb_cust (k BIGINT PRIMARY KEY, id BIGINT NOT NULL);
INSERT INTO pb_cust(k, id)
  SELECT row_number() OVER (ORDER BY id) - 1, id FROM customers ORDER BY id LIMIT 20000;
WITH RECURSIVE
  n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $BENCH_PROJECTS),
  tpl(t, id, v_old, v_cur) AS (
    SELECT CASE WHEN t.is_default = TRUE THEN 0 ELSE 1 END, t.id,
           (SELECT MIN(v.id) FROM process_template_versions v WHERE v.template_id = t.id),
           t.current_version_id
    FROM process_templates t
    WHERE t.name IN ('标准订单 Standard order', '大型招标 Large tender')),
  stg(t, skey, prob, lo, hi) AS (VALUES
    (0, 'initial', 10, 0, 35), (0, 'qualified', 30, 35, 60), (0, 'proposal', 60, 60, 80),
    (0, 'negotiation', 80, 80, 100),
    (1, 'registration', 10, 0, 30), (1, 'tech_bid', 25, 30, 50), (1, 'bidding', 45, 50, 70),
    (1, 'evaluation', 65, 70, 85), (1, 'award', 90, 85, 100)),
  g AS (
    SELECT n.i,
           CASE WHEN n.i % 10 < 7 THEN 0 ELSE 1 END AS t,
           (n.i * 37) % 100 AS o,
           (n.i * 7919 + n.i / 100) % 100 AS h,
           CASE WHEN n.i % 50 = 0 THEN NULL ELSE n.i % $BENCH_SALES END AS sk,
           (n.i * 11) % 10 AS cents,
           CAST(1000 + (n.i * 104729) % 9000 AS BIGINT) * (1 + (n.i % 17) * (n.i % 17) * 3) AS yuan,
           (n.i * 600) / $BENCH_PROJECTS AS day0
    FROM n),
  p AS (
    SELECT g.i, g.t, g.sk, g.day0, g.yuan * 100 AS amount,
           CASE WHEN g.o < 12 THEN 'won' WHEN g.o < 24 THEN 'lost' ELSE 'open' END AS status,
           stg.skey AS skey, stg.prob AS sprob,
           CASE WHEN g.t = 0 AND g.i % 3 = 0 THEN tpl.v_old ELSE tpl.v_cur END AS vid,
           tpl.id AS tid, g.day0 + 30 + g.h AS close_day
    FROM g JOIN tpl ON tpl.t = g.t
    JOIN stg ON stg.t = g.t AND g.h >= stg.lo AND g.h < stg.hi)
INSERT INTO projects(name, name_norm, customer_id, owner_id, template_id, template_version_id,
                     stage, status, amount, probability, weighted, expected_close_date,
                     products_json, notes, close_reason, closed_stage, closed_at,
                     stage_entered_at, owned_since, last_followup_at, created_by, version,
                     created_at, updated_at)
SELECT '漆包线年度采购 ' || CAST(p.i AS TEXT) || ' Enamelled wire supply ' || CAST(p.i AS TEXT),
       '漆包线年度采购' || CAST(p.i AS TEXT) || 'enamelledwiresupply' || CAST(p.i AS TEXT),
       (SELECT c.id FROM pb_cust c WHERE c.k = p.i % $pb_ncust),
       s.id, p.tid, p.vid,
       CASE WHEN p.status = 'open' THEN p.skey ELSE p.status END,
       p.status, p.amount,
       CASE p.status WHEN 'won' THEN 100 WHEN 'lost' THEN 0 ELSE p.sprob END,
       CASE p.status WHEN 'won' THEN p.amount WHEN 'lost' THEN 0
            ELSE (p.amount * p.sprob + 50) / 100 END,
       $(pb_day "p.close_day"),
       '[]',
       CASE WHEN p.i % 4 = 0 THEN '年用量约 ' || CAST(p.i % 90 + 10 AS TEXT) || ' 吨 About '
            || CAST(p.i % 90 + 10 AS TEXT) || ' t a year' END,
       CASE p.status WHEN 'won' THEN '价格与交期合适 Price and delivery fit'
                     WHEN 'lost' THEN '价格偏高 Price too high' END,
       CASE WHEN p.status = 'open' THEN NULL ELSE p.skey END,
       CASE WHEN p.status = 'open' THEN NULL ELSE $(pb_day "p.close_day") || 'T16:00:00Z' END,
       $(pb_day "p.day0 + p.i % 30") || 'T10:00:00Z',
       CASE WHEN s.id IS NULL THEN NULL ELSE $(pb_day "p.day0") || 'T09:00:00Z' END,
       CASE WHEN p.i % 3 = 0 THEN NULL ELSE $(pb_day "p.day0 + p.i % 40") || 'T15:30:00Z' END,
       s.id, 1 + p.i % 5,
       $(pb_day "p.day0") || 'T09:00:00Z', $(pb_day "p.day0 + p.i % 40") || 'T15:30:00Z'
FROM p LEFT JOIN pb_sales s ON s.k = p.sk
ORDER BY p.i;
-- one project in eight has a member: a colleague of another team
INSERT INTO project_members(project_id, user_id, role, added_by, added_at)
SELECT pr.id, s2.id,
       CASE pr.id % 3 WHEN 0 THEN '技术支持 Technical support' WHEN 1 THEN '售前 Pre-sales'
                      ELSE '商务 Commercial' END,
       pr.owner_id, pr.created_at
FROM projects pr JOIN pb_sales s1 ON s1.id = pr.owner_id
JOIN pb_sales s2 ON s2.k = (s1.k + 1 + pr.id % 7) % $BENCH_SALES
WHERE pr.id > $pb_first AND pr.id % 8 = 3;
COMMIT;
ANALYZE;
SQL
sqlrun <"$tmp/projects-gen.sql" >"$tmp/projects-gen.log" 2>&1 ||
  { echo; cat "$tmp/projects-gen.log"; die "generating the projects failed"; }
got=$(sqlval "SELECT COUNT(*) FROM projects WHERE id > $pb_first")
[ "$got" = "$BENCH_PROJECTS" ] || die "expected $BENCH_PROJECTS generated projects, found \"$got\""
# the trigger-kept totals must equal a recount of the open projects, both
# ways round (rows of the totals at 0 stand for no project)
pb_recount() { # TABLE OWNER_EXPR GROUP_COLUMNS -> rows that differ either way
  local r="SELECT $2, template_id$3, COUNT(*) AS c, SUM(amount) AS a, SUM(weighted) AS w
    FROM projects WHERE status = 'open' AND $2 IS NOT NULL GROUP BY $2, template_id$3"
  local t="SELECT owner_id, template_id$3, open_count, amount, weighted FROM $1
    WHERE open_count <> 0"
  sqlval "SELECT (SELECT COUNT(*) FROM ($r EXCEPT $t) x) + (SELECT COUNT(*) FROM ($t EXCEPT $r) y)"
}
bad=$(pb_recount project_pipeline_totals owner_id "")
[ "$bad" = 0 ] || die "project_pipeline_totals differs from a recount in $bad (owner, template) rows"
bad=$(pb_recount project_stage_totals "COALESCE(owner_id, 0)" ", stage")
[ "$bad" = 0 ] || die "project_stage_totals differs from a recount in $bad (owner, template, stage) rows"
done_step "$(sqlval "SELECT COUNT(*) FROM project_members WHERE project_id > $pb_first") members"

# --- who asks: tokens, and the values the endpoints use -------------------------
step "projects: API tokens, cursors"
pb_token() { # LOGIN -> prints a new API token of that user (stored as its SHA-256)
  local t h
  t=pb$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
  h=$(printf '%s' "$t" | sha256sum | cut -d' ' -f1)
  sqlval "INSERT INTO api_tokens(user_id, name, token_hash, created_at)
          SELECT id, 'bench projects', '$h', '$pb_now' FROM users WHERE login = '$1'" >/dev/null
  printf '%s' "$t"
}
# a salesperson of team 1, the manager of team 1 and the head of the sales department
pb_sales_login=$(sqlval "SELECT login FROM users WHERE login LIKE 'bench%' AND role = 'salesperson'
  ORDER BY id LIMIT 1")
pb_mgr_login=$(sqlval "SELECT u.login FROM departments d JOIN users u ON u.id = d.manager_id
  WHERE d.name = '销售1组 Bench team 1'")
pb_head_login=$(sqlval "SELECT u.login FROM departments d JOIN users u ON u.id = d.manager_id
  WHERE d.name = '销售部 Sales'")
[ -n "$pb_sales_login" ] && [ -n "$pb_mgr_login" ] && [ -n "$pb_head_login" ] ||
  die "no salesperson, team manager or head of sales to sign in as"
BENCH_PROJ_SALES_TOKEN=$(pb_token "$pb_sales_login")
BENCH_PROJ_MGR_TOKEN=$(pb_token "$pb_mgr_login")
BENCH_PROJ_HEAD_TOKEN=$(pb_token "$pb_head_login")
export BENCH_PROJ_SALES_TOKEN BENCH_PROJ_MGR_TOKEN BENCH_PROJ_HEAD_TOKEN
BENCH_PROJ_TEMPLATE=$(sqlval "SELECT id FROM process_templates WHERE is_default = TRUE")
# the cursor of the second page of the admin's "proposal" column (page size 20)
BENCH_PROJ_CURSOR=$(sqlval "SELECT id FROM projects WHERE template_id = $BENCH_PROJ_TEMPLATE
  AND stage = 'proposal' ORDER BY id DESC LIMIT 1 OFFSET 19")
BENCH_PROJ_MAX_ID=$(sqlval "SELECT MAX(id) FROM projects")
export BENCH_PROJ_TEMPLATE BENCH_PROJ_CURSOR BENCH_PROJ_MAX_ID
done_step "$pb_sales_login, $pb_mgr_login, $pb_head_login"
