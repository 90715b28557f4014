-- Streets of a scope with their coverage gaps (no minor-protection workstation; community units without a children's home), most gaps first; $district, $street nullable.
with
streets as (
    select
        s.code as street_code,
        s.name as street_name,
        s.district_code,
        d.name as district_name
    from street as s
    inner join district as d on s.district_code = d.code
    where ($district is null or s.district_code = $district)
        and ($street is null or s.code = $street)
),

workstations as (
    select
        street_code,
        sum(points)::bigint as workstations
    from point_tally
    where category = 'workstation'
    group by street_code
),

homes as (
    select
        community_code,
        sum(points)::bigint as homes
    from point_tally
    where category = 'children_home'
    group by community_code
),

units as (
    select
        c.street_code,
        count(*) as communities,
        count(*) filter (where h.homes is null) as communities_without_home
    from community as c
    left join homes as h on c.code = h.community_code
    group by c.street_code
),

final as (
    select
        streets.district_code,
        streets.district_name,
        streets.street_code,
        streets.street_name,
        coalesce(w.workstations, 0) > 0 as has_workstation,
        coalesce(u.communities, 0) as communities,
        coalesce(u.communities_without_home, 0) as communities_without_home,
        (case when coalesce(w.workstations, 0) = 0 then 1 else 0 end)
        + coalesce(u.communities_without_home, 0) as gaps
    from streets
    left join workstations as w on streets.street_code = w.street_code
    left join units as u on streets.street_code = u.street_code
)

select * from final
order by gaps desc, street_code asc
