-- Workers already loaded (id, role, name, street and community), for duplicate checks in append mode; no parameters.
select
    id,
    role,
    name,
    street_code,
    community_code
from worker
order by id
