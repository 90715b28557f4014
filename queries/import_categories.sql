-- Service categories the importer accepts, by code, Chinese or English name; no parameters.
select
    code,
    name,
    name_en
from service_category
order by code
