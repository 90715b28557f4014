-- Social-work project sites in a scope ($district, $street nullable) binned into square cells of $cell_m metres (for large data sets): cell centre, sites.
with
sites as (
    select
        floor(lon / ($cell_m / 111320.0)) as cell_x,
        floor(lat / ($cell_m / 111320.0)) as cell_y
    from sw_site
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
        and lon is not null
        and lat is not null
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
