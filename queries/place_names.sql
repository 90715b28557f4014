-- Chinese and English names of every district, street and community unit (no parameters): name, name_en.
-- District English names get their suffix here (Nanshan District); 大鹏新区's is already "Dapeng New Area".
select name, case when name like '%新区' then name_en else name_en || ' District' end as name_en
from district
union all
select name, name_en from street
union all
select name, name_en from community
