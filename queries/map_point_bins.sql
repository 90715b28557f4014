-- Service points binned into square cells of $cell_m metres (for large data sets): cell centre, points, the colour most of them have (ties: either); same filters as map_points.
with
categories as (
    select
        code,
        color
    from service_category
    where ($categories is null or list_contains($categories, code))
        and ($system is null or system = $system)
        and ($level is null or level = $level)
),

-- Counted per cell and category first (a hash on three integers), the colour chosen per cell after.
per_category as (
    select
        floor(p.lon / ($cell_m / 111320.0)) as cell_x,
        floor(p.lat / ($cell_m / 111320.0)) as cell_y,
        p.category,
        count(*) as points
    from service_point as p
    where p.category in (select c.code from categories as c)
        and ($district is null or p.district_code = $district)
        and ($street is null or p.street_code = $street)
        and p.lon is not null
        and p.lat is not null
    group by all
),

per_color as (
    select
        b.cell_x,
        b.cell_y,
        c.color,
        sum(b.points) as points
    from per_category as b
    inner join categories as c on b.category = c.code
    group by b.cell_x, b.cell_y, c.color
),

final as (
    select
        cell_x,
        cell_y,
        (cell_x + 0.5) * ($cell_m / 111320.0) as lon,
        (cell_y + 0.5) * ($cell_m / 111320.0) as lat,
        sum(points)::bigint as points,
        arg_max(color, points) as color
    from per_color
    group by cell_x, cell_y
)

select * from final
order by cell_x, cell_y
