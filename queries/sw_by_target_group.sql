-- Projects in scope by target group: projects, social workers, person-times; $district, $street nullable.
with
projects as (
    select * from sw_projects_in($district, $street)
),

final as (
    select
        coalesce(target_group, '未填') as target_group,
        count(*) as projects,
        sum(social_workers)::bigint as social_workers,
        coalesce(sum(person_times), 0)::bigint as person_times
    from projects
    group by coalesce(target_group, '未填')
)

select * from final
order by projects desc, target_group asc
