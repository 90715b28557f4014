-- Community units the importer matches names against: code, name, official_name, street and district; no parameters.
select
    code,
    name,
    official_name,
    street_code,
    district_code
from community
order by code
