# bench/data/dashboard.sh — what the home page (GET /api/v1/dashboard,
# src/dashboard/) reads beyond the customers and projects data sets
# (sourced by bench/run.sh after them; uses sqlrun, sqlval, step,
# done_step, die, $tmp): the last seven days' follow-ups (one owned customer
# in 97, by its owner: about 9,000, which the week's counts read), next
# contact dates and reminders of the projects' salesperson (due today,
# overdue, later). Take-back stays off (customers.sh): with any rule on,
# the job's scan of a million customers at the server's start and every
# five minutes lands in whatever endpoint is being measured (a salesperson's
# dashboard, with 3,650 days on and nothing due: 3.5 ms of server CPU a
# request instead of 2.5, p99 730 ms instead of 277 on a busy machine);
# the salesperson's page reads every own
# customer either way (for the follow-ups due) and only skips the days-left
# arithmetic.
# The endpoints are in bench/data/dashboard.conf; they sign in with the
# tokens bench/data/projects.sh made (a salesperson with customers and
# projects, a team manager, the head of sales) and the admin's.

[[ " $BENCH_DATA " == *" projects "* ]] || die "BENCH_DATA: dashboard needs the projects data set"
step "dashboard: week's follow-ups, reminders"
db_ts() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
db_login=$(sqlval "SELECT login FROM users WHERE login LIKE 'bench%' AND role = 'salesperson'
  ORDER BY id LIMIT 1")
db_uid=$(sqlval "SELECT id FROM users WHERE login = '$db_login'")
{
  echo "BEGIN;"
  for k in 0 1 2 3 4 5 6; do
    echo "INSERT INTO followups(customer_id, user_id, content, next_step, created_at)
      SELECT id, owner_id, '本周电话回访 Called this week', '报价 Quote', '$(db_ts "-$k day -$((k * 7)) min")'
      FROM customers WHERE owner_id IS NOT NULL AND id % 97 = 0 AND (id / 97) % 7 = $k;"
  done
  # the salesperson's next contacts: 40 customers due (today or before), 40 later
  echo "INSERT INTO followups(customer_id, user_id, content, next_contact_at, created_at)
    SELECT id, owner_id, '约定下次联系 Next contact agreed',
      CASE WHEN id % 2 = 0 THEN '$(db_ts "-2 day")' ELSE '$(db_ts "+20 day")' END, '$(db_ts "-10 day")'
    FROM customers WHERE owner_id = $db_uid AND id IN (SELECT id FROM customers WHERE owner_id = $db_uid
      ORDER BY id LIMIT 80);"
  for k in $(seq 0 29); do
    echo "INSERT INTO reminders(user_id, kind, title, due_at, created_at) VALUES ($db_uid, 'task',
      '回访 Call back $k', '$(db_ts "$((k - 20)) day")', '$(db_ts "-30 day")');"
  done
  echo "COMMIT;"
  echo "ANALYZE;"
} >"$tmp/dashboard-gen.sql"
sqlrun <"$tmp/dashboard-gen.sql" >"$tmp/dashboard-gen.log" 2>&1 ||
  { echo; tail -20 "$tmp/dashboard-gen.log"; die "generating the dashboard data failed"; }
done_step "$(sqlval "SELECT COUNT(*) FROM followups WHERE created_at >= '$(db_ts "-7 day")'") follow-ups in 7 days, $db_login"
