-- Service points binned into square cells of $cell_m metres (for large data sets): cell centre, points, most common category's colour; same filters as map_points.
with
points as (
    select
        p.category,
        c.color,
        floor(p.lon / ($cell_m / 111320.0)) as cell_x,
        floor(p.lat / ($cell_m / 111320.0)) as cell_y
    from service_point as p
    inner join service_category as c on p.category = c.code
    where ($categories is null or list_contains($categories, c.code))
        and ($system is null or c.system = $system)
        and ($level is null or c.level = $level)
        and ($district is null or p.district_code = $district)
        and ($street is null or p.street_code = $street)
        and p.lon is not null
        and p.lat is not null
),

final as (
    select
        cell_x,
        cell_y,
        (cell_x + 0.5) * ($cell_m / 111320.0) as lon,
        (cell_y + 0.5) * ($cell_m / 111320.0) as lat,
        count(*) as points,
        mode(color) as color
    from points
    group by cell_x, cell_y
)

select * from final
order by cell_x, cell_y
