-- Service categories (no parameters): code, name, name_en, owning system, network level, colour.
select
    code,
    name,
    name_en,
    system,
    level,
    color
from service_category
order by code
