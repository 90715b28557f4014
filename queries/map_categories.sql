-- Service categories for the map's filters and legend: code, name, name_en, system, level, color; no parameters.
select
    code,
    name,
    name_en,
    system,
    level,
    color,
    case level when 'city' then 1 when 'district' then 2 when 'street' then 3 else 4 end as level_order
from service_category
order by level_order, system, code
