-- Project sites in scope of one organisation $org_id, the first $max_rows by id (null = all): site, project, domain, street, community, lon/lat; $district, $street nullable.
select
    s.id,
    s.name,
    p.name as project_name,
    p.domain,
    d.name as district_name,
    t.name as street_name,
    c.name as community_name,
    s.lon,
    s.lat
from sw_site as s
inner join sw_project as p on s.project_id = p.id
left join district as d on s.district_code = d.code
left join street as t on s.street_code = t.code
left join community as c on s.community_code = c.code
where p.org_id = $org_id
    and ($district is null or s.district_code = $district)
    and ($street is null or s.street_code = $street)
order by s.id
limit $max_rows
