-- Social-work project sites in a scope ($district, $street nullable), of one organisation ($org_id; null = all), binned into square cells of $cell_m metres (for large data sets): cell centre, sites.
with
sites as (
    select
        floor(s.lon / ($cell_m / 111320.0)) as cell_x,
        floor(s.lat / ($cell_m / 111320.0)) as cell_y
    from sw_site as s
    where ($district is null or s.district_code = $district)
        and ($street is null or s.street_code = $street)
        and ($org_id is null or s.project_id in (select p.id from sw_project as p where p.org_id = $org_id))
        and s.lon is not null
        and s.lat is not null
),

final as (
    select
        cell_x,
        cell_y,
        (cell_x + 0.5) * ($cell_m / 111320.0) as lon,
        (cell_y + 0.5) * ($cell_m / 111320.0) as lat,
        count(*) as sites
    from sites
    group by cell_x, cell_y
)

select * from final
order by cell_x, cell_y
