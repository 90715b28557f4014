-- Children per unit already loaded (level, unit_code, age_band), for duplicate checks in append mode; no parameters.
select
    level,
    unit_code,
    age_band
from population
order by level, unit_code, age_band
