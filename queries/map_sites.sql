-- Social-work project sites in a scope ($district, $street nullable), at most $max_rows (the map bins above that): site, project, organisation, domain, point.
select
    s.id,
    s.name,
    p.name as project_name,
    o.name as org_name,
    p.domain,
    st.name as street_name,
    s.lon,
    s.lat
from sw_site as s
inner join sw_project as p on s.project_id = p.id
left join sw_org as o on p.org_id = o.id
left join street as st on s.street_code = st.code
where ($district is null or s.district_code = $district)
    and ($street is null or s.street_code = $street)
    and s.lon is not null
    and s.lat is not null
order by s.id
limit $max_rows
