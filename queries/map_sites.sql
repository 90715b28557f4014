-- Social-work project sites in a scope ($district, $street nullable), at most $max_rows (the map bins above that): site, project, organisation, domain, point.
with
chosen as (
    select *
    from sw_site
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
        and lon is not null
        and lat is not null
    order by id
    limit $max_rows
),

final as (
    select
        s.id,
        s.name,
        p.name as project_name,
        o.name as org_name,
        p.domain,
        st.name as street_name,
        s.lon,
        s.lat
    from chosen as s
    inner join sw_project as p on s.project_id = p.id
    left join sw_org as o on p.org_id = o.id
    left join street as st on s.street_code = st.code
)

select * from final
order by id
