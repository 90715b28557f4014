-- Streets the importer matches names against: code, name, district_code; no parameters.
select
    code,
    name,
    district_code
from street
order by code
