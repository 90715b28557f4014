-- Streets of a scope with their coverage gaps (no minor-protection workstation; community units without a children's home), most gaps first; $district, $street nullable.
with
streets as (
    select * from streets_in($district, $street)
),

workstations as (
    select
        street_code,
        sum(points)::bigint as workstations
    from point_tally
    where category = 'workstation'
    group by street_code
),

units as (
    select
        street_code,
        count(*) as communities,
        count(*) filter (where homes = 0) as communities_without_home
    from community_tally()
    group by street_code
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
