-- Service points, streets and districts whose name contains $search (case-insensitive), within $district (nullable); at most $max_rows rows.
with
candidates as (
    select
        'point' as kind,
        p.id as code,
        p.name,
        coalesce(s.name, '') as detail,
        p.district_code,
        p.street_code,
        p.lon,
        p.lat
    from service_point as p
    left join street as s on p.street_code = s.code
    where p.lon is not null
    union all
    select
        'street' as kind,
        s.code,
        s.name,
        d.name as detail,
        s.district_code,
        s.code as street_code,
        s.lon,
        s.lat
    from street as s
    inner join district as d on s.district_code = d.code
    union all
    select
        'district' as kind,
        code,
        name,
        '' as detail,
        code as district_code,
        null as street_code,
        label_lon as lon,
        label_lat as lat
    from district
),

final as (
    select
        *,
        case kind when 'district' then 1 when 'street' then 2 else 3 end as kind_order
    from candidates
    where $search is not null
        and length(trim($search)) > 0
        and name ilike '%' || trim($search) || '%'
        and ($district is null or district_code = $district)
)

select * from final
qualify row_number() over (order by kind_order, length(name), name) <= $max_rows
order by kind_order, length(name), name
