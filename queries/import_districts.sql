-- Districts the importer matches names against: code, name, name_en; no parameters.
select
    code,
    name,
    name_en
from district
order by code
