-- Streets with their district, in code order; $district (nullable) limits to one district.
select
    s.code,
    s.name,
    s.district_code,
    d.name as district_name,
    s.lon,
    s.lat,
    s.point_note
from street as s
inner join district as d on s.district_code = d.code
where $district is null or s.district_code = $district
order by s.code
