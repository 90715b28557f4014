-- The worker-record state of each street (supervisor) and community unit (director) in scope: level, unit_code, role, state (in_post, vacant, no_record); $district, $street nullable.
select
    level,
    unit_code,
    role,
    state
from worker_states($district, $street)
order by level, unit_code
