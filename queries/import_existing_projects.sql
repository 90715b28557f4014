-- Social-work projects already loaded (id, org_id, name), for site links and duplicate checks; no parameters.
select
    id,
    org_id,
    name
from sw_project
order by id
