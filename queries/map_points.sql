-- Service points for the map, at most $max_rows, filtered by $categories (list), $system, $level, $district, $street (all nullable).
with
categories as (
    select
        code,
        name as category_name,
        name_en as category_name_en,
        system,
        level,
        color
    from service_category
    where ($categories is null or list_contains($categories, code))
        and ($system is null or system = $system)
        and ($level is null or level = $level)
),

-- The first $max_rows matching points by id, chosen on the narrow id column before any other is read.
chosen as (
    select p.id
    from service_point as p
    inner join categories as c on p.category = c.code
    where ($district is null or p.district_code = $district)
        and ($street is null or p.street_code = $street)
        and p.lon is not null
        and p.lat is not null
    order by p.id
    limit $max_rows
),

final as (
    select
        p.id,
        p.name,
        p.category,
        c.category_name,
        c.category_name_en,
        c.system,
        c.level,
        c.color,
        p.address,
        p.phone,
        p.district_code,
        d.name as district_name,
        p.street_code,
        s.name as street_name,
        p.community_code,
        m.name as community_name,
        p.lon,
        p.lat,
        p.updated_on
    from service_point as p
    inner join chosen as k on p.id = k.id
    inner join categories as c on p.category = c.code
    left join district as d on p.district_code = d.code
    left join street as s on p.street_code = s.code
    left join community as m on p.community_code = m.code
)

select * from final
order by id
