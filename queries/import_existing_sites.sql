-- Project sites already loaded (id, project_id, name), for duplicate checks in append mode; no parameters.
select
    id,
    project_id,
    name
from sw_site
order by id
