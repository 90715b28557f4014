-- Service points already loaded (id, name, address), for duplicate checks in append mode; no parameters.
select
    id,
    name,
    address
from service_point
order by id
