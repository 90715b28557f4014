-- Workforce deployment per district in scope: streets, supervisors, community units, director records (posts), filled, vacant, units with no record, units with a children's home; $district nullable.
with
-- per community unit: director records and children's homes (community_tally, schema.sql)
units as (
    select
        district_code,
        count(*) as units,
        sum(posts)::bigint as posts,
        sum(filled)::bigint as filled,
        sum(vacant)::bigint as vacant,
        count(*) filter (where not has_record) as no_record,
        count(*) filter (where homes > 0) as units_with_home
    from community_tally()
    group by district_code
),

supervisors as (
    select
        district_code,
        count(*) filter (where status = '在岗') as supervisors
    from worker
    where role = '儿童督导员'
    group by district_code
),

streets as (
    select
        district_code,
        count(*) as streets
    from street
    group by district_code
),

final as (
    select
        d.code as district_code,
        d.name as district_name,
        d.name_en as district_name_en,
        coalesce(s.streets, 0) as streets,
        coalesce(v.supervisors, 0) as supervisors,
        coalesce(u.units, 0) as units,
        coalesce(u.posts, 0) as posts,
        coalesce(u.filled, 0) as filled,
        coalesce(u.vacant, 0) as vacant,
        coalesce(u.no_record, 0) as no_record,
        coalesce(u.units_with_home, 0) as units_with_home,
        round(coalesce(u.units_with_home, 0) / nullif(u.units, 0), 3) as home_coverage
    from district as d
    left join units as u on d.code = u.district_code
    left join supervisors as v on d.code = v.district_code
    left join streets as s on d.code = s.district_code
    where $district is null or d.code = $district
)

select * from final
order by district_code
