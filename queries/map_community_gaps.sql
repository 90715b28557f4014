-- Community units in a scope ($district, $street nullable) with whether an in-post child director and a children's home are on record.
with
directors as (
    select
        community_code,
        count(*) as directors
    from worker
    where role = '儿童主任' and status = '在岗' and community_code is not null
    group by community_code
),

homes as (
    select
        community_code,
        sum(points)::bigint as homes
    from point_tally
    where category = 'children_home' and community_code is not null
    group by community_code
),

final as (
    select
        c.code,
        c.name,
        s.name as street_name,
        c.district_code,
        c.street_code,
        c.lon,
        c.lat,
        coalesce(d.directors, 0) > 0 as has_director,
        coalesce(h.homes, 0) > 0 as has_children_home
    from community as c
    inner join street as s on c.street_code = s.code
    left join directors as d on c.code = d.community_code
    left join homes as h on c.code = h.community_code
    where ($district is null or c.district_code = $district)
        and ($street is null or c.street_code = $street)
        and c.lon is not null
        and c.lat is not null
)

select * from final
order by code
