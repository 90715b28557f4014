-- Social-work organisations already loaded (id, name), matched by id or name on project import; no parameters.
select
    id,
    name
from sw_org
order by id
