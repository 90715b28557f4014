-- Districts (10, incl. 大鹏新区) in code order: code, name, name_en, population_2020, population_source.
select
    code,
    name,
    name_en,
    population_2020,
    population_source,
    label_lon,
    label_lat
from district
order by code
