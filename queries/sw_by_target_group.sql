-- Projects in scope by target group: projects, social workers, person-times; $district, $street nullable.
with
sites as (
    select distinct project_id
    from sw_site
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

served as (
    select
        project_id,
        person_times
    from sw_project_served
),

final as (
    select
        coalesce(p.target_group, '未填') as target_group,
        count(*) as projects,
        sum(p.social_workers)::bigint as social_workers,
        coalesce(sum(m.person_times), 0)::bigint as person_times
    from sw_project as p
    left join served as m on p.id = m.project_id
    where ($district is null and $street is null)
        or p.id in (select project_id from sites)
    group by coalesce(p.target_group, '未填')
)

select * from final
order by projects desc, target_group asc
